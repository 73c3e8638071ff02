// PortalTrust: placeholder until the receiver lands.
