"""`make soak`: the mock under a long fuzz run and a bounded load of mixed traffic."""
