from tools.bench.triton import main

main()
