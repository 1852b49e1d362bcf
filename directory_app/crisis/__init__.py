"""Crisis response (issue 19): which consular districts and organisations an affected area meets."""
