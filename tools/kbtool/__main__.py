from kbtool.console import main

main()
