from engine.server import main

main()
