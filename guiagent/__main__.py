from guiagent.cli import main

main()
