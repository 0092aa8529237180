"""Head office: the reference REST service the Doorstep app syncs with (`python -m headoffice …`)."""
