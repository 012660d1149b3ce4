from asynclab.cli import main

main()
