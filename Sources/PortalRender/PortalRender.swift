// PortalRender: placeholder until its module lands.
