// PortalKeys: placeholder until its module lands.
