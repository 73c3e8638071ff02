// PortalReceiver: placeholder until the receiver lands.
