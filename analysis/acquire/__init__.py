"""Stage 1, acquire: the raw-data manifest, copying or downloading each file, verifying its hash."""
