from guide_server.cli import main

main()
