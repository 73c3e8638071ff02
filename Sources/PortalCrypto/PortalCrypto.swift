// PortalCrypto: placeholder until its module lands.
