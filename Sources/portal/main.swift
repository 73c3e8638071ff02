print("portal: not built yet")
