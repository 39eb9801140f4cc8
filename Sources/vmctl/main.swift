print("vmctl")
