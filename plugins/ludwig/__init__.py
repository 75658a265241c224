"""Everything that changes or extends Ludwig 0.17.10: revisit this folder (and only it) on a Ludwig upgrade."""
