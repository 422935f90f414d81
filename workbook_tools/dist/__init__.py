"""Distribution: the offline bundle, wheels, the Excel add-in build/install and the WPS add-in build/install."""
