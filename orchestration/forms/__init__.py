"""Form pieces shared by every app's admin and views."""
