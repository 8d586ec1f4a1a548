from tools.models.train import main

main()
