"""Real data: readers, splits, features and baselines (tagged sentences: `tagged_files`,
`brown`, `universal_tags`, `tagging`, `tag_baselines`, `tagger_train`)."""
