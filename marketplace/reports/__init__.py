"""Reports over the whole marketplace for platform staff (the cross-border trade report).

They read deals (contracting) and the rules' classifications (compliance, catalog); nothing in the
domain imports them, so the apps they read stay free of cycles.
"""
