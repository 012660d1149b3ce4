def broken(:  # expect: AL001
    pass
