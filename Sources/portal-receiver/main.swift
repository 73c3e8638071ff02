print("portal-receiver: not built yet")
