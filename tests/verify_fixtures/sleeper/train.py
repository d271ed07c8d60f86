"""Hangs: starts a child that sleeps even longer, then sleeps itself.

The child's odd duration (61.2345 s) is a marker the test looks for to
prove the whole process group was killed on timeout.
"""

import subprocess
import time


def main():
    subprocess.Popen(["sleep", "61.2345"])
    time.sleep(30)


if __name__ == "__main__":
    main()
