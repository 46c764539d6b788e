print("huoju")
