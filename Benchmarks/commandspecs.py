"""The command-line form median.py and interleave.py share:
NAME -- CMD... ;; NAME -- CMD... [;; ...]"""


def parse(arguments):
    """[(name, [cmd...]), ...] from the words after a script's own arguments."""
    specs, current = [], []
    for arg in list(arguments) + [";;"]:
        if arg == ";;":
            if current:
                name, sep, *cmd = current
                assert sep == "--", f"expected NAME -- CMD, got {current}"
                specs.append((name, cmd))
            current = []
        else:
            current.append(arg)
    return specs
