"""The project's code around Ludwig 0.17: see the README's project layout."""

import logging

# bitsandbytes 0.50 (imported by Ludwig and peft) warns at import, on CPUs with AVX512-BF16, that it could not fetch an
# optional 4-bit kernel from the Hugging Face hub ("kernels-community"): offline it never can, nothing here uses 4-bit
# kernels, and the warning lands in the output of every command (make check's among them).
logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(logging.ERROR)
