import os
import sys

# Tests import the checkout, wherever pytest is started from.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
