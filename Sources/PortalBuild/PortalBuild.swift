// PortalBuild: placeholder until its module lands.
