// PortalMarkdown: placeholder until its module lands.
