"""speechbook: the tested package behind the course book's chapters (one module per topic)."""

import os

from speechbook import quiet

# Keep TensorFlow's C++ and absl start-up chatter off the pages and terminals (see also speechbook.models).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
quiet.install()
