import os

# openpyxl writes with lxml when it is installed (caldav brings it), and lxml writes a
# carriage return in a cell as is, which every XML reader then reads as a line feed: an
# exported "\r=1" would come back "\n=1". The standard library's writer (openpyxl's own
# default without lxml) escapes it. Set before anything imports openpyxl.
os.environ.setdefault("OPENPYXL_LXML", "False")
