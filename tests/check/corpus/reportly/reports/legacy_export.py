"""Old nightly export script from the Python 2 days. Not imported anywhere; kept for reference."""
import csv
import sys


def main(path):
    with open(path) as fh:
        rows = list(csv.reader(fh))
    print "exported %d rows from %s" % (len(rows), path)  # expect: AL001
    return rows


if __name__ == "__main__":
    main(sys.argv[1])
