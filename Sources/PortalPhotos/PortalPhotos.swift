// PortalPhotos: placeholder
