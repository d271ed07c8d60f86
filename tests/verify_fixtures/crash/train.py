"""Fails partway through, as a broken pipeline would."""


def main():
    for step in range(5):
        if step == 3:
            raise RuntimeError("loss became NaN at step 3")


if __name__ == "__main__":
    main()
