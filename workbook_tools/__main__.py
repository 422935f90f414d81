from workbook_tools.faces.cli import main

if __name__ == "__main__":
    main()
