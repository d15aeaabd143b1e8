"""The annual progress summary to the HLCM: the data call, submissions, past years, the compilation."""
