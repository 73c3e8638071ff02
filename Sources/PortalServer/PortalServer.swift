// PortalServer: placeholder
