"""The commands of `python -m lambdalogs`: one module each (its options and its run), and the
option groups they share (`options`)."""
