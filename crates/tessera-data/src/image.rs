//! [`ImageSet`]: grey-scale `u8` images with class labels, in named parts (train/test).

use std::collections::BTreeMap;
use tessera_core::{Error, Result};

/// One part of an image set (e.g. `train`): `count` images of `h × w` pixels, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct ImagePart {
    /// Where the part came from, for messages.
    pub source: String,
    /// `count * height * width` pixels, image by image.
    pub pixels: Vec<u8>,
    /// Class id of each image.
    pub labels: Vec<u8>,
}

impl ImagePart {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the part holds no image.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// An image data set: fixed image size, parts by name.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageSet {
    /// Where the set came from, for messages.
    pub source: String,
    /// Image height in pixels.
    pub height: usize,
    /// Image width in pixels.
    pub width: usize,
    /// Number of classes (max label + 1 over all parts).
    pub num_classes: usize,
    /// Parts by name (`train`, `test`).
    pub parts: BTreeMap<String, ImagePart>,
}

impl ImageSet {
    /// Builds and validates a set.
    pub fn new(
        source: impl Into<String>,
        height: usize,
        width: usize,
        parts: BTreeMap<String, ImagePart>,
    ) -> Result<Self> {
        let num_classes = parts
            .values()
            .flat_map(|p| p.labels.iter())
            .max()
            .map_or(0, |&m| usize::from(m) + 1);
        let set = ImageSet {
            source: source.into(),
            height,
            width,
            num_classes,
            parts,
        };
        set.validate()?;
        Ok(set)
    }

    /// The part called `name`; an unknown name is an error listing the parts.
    pub fn part(&self, name: &str) -> Result<&ImagePart> {
        self.parts.get(name).ok_or_else(|| {
            Error::input(
                &self.source,
                format!("part `{name}`"),
                "an existing part",
                format!("parts {:?}", self.parts.keys().collect::<Vec<_>>()),
            )
        })
    }

    /// Pixels of image `i` of `part`, scaled to `[0, 1]`.
    pub fn image_f32(&self, part: &ImagePart, i: usize) -> Vec<f32> {
        let n = self.height * self.width;
        part.pixels[i * n..(i + 1) * n]
            .iter()
            .map(|&p| f32::from(p) / 255.0)
            .collect()
    }

    /// Checks: non-empty sizes and parts, pixel count = images × h × w.
    pub fn validate(&self) -> Result<()> {
        if self.height == 0 || self.width == 0 {
            return Err(Error::input(
                &self.source,
                "image size",
                "non-zero height and width",
                format!("{}×{}", self.height, self.width),
            ));
        }
        if self.parts.is_empty() {
            return Err(Error::input(
                &self.source,
                "parts",
                "at least one part",
                "none",
            ));
        }
        for (name, p) in &self.parts {
            if p.is_empty() {
                return Err(Error::input(
                    &p.source,
                    format!("part `{name}`"),
                    "at least one image",
                    "an empty split",
                ));
            }
            let want = p.len() * self.height * self.width;
            if p.pixels.len() != want {
                return Err(Error::input(
                    &p.source,
                    format!("part `{name}`"),
                    format!(
                        "{} labels × {}×{} = {want} pixels",
                        p.len(),
                        self.height,
                        self.width
                    ),
                    format!("{} pixels", p.pixels.len()),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(n: usize, px: usize) -> ImagePart {
        ImagePart {
            source: "p".into(),
            pixels: vec![255; px],
            labels: (0..n as u8).collect(),
        }
    }

    #[test]
    fn scales_pixels_and_counts_classes() {
        let set =
            ImageSet::new("s", 2, 2, BTreeMap::from([("train".into(), part(3, 12))])).unwrap();
        assert_eq!(set.num_classes, 3);
        assert_eq!(set.image_f32(set.part("train").unwrap(), 2), vec![1.0; 4]);
        assert!(set.part("test").is_err());
    }

    #[test]
    fn rejects_wrong_pixel_count_and_empty_parts() {
        let e = ImageSet::new("s", 2, 2, BTreeMap::from([("train".into(), part(3, 11))]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("12 pixels") && e.contains("11 pixels"), "{e}");
        assert!(ImageSet::new("s", 2, 2, BTreeMap::from([("train".into(), part(0, 0))])).is_err());
        assert!(ImageSet::new("s", 0, 2, BTreeMap::new()).is_err());
    }
}
