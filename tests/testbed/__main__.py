import sys

from tests.testbed.bed import main

sys.exit(main(sys.argv[1:]))
