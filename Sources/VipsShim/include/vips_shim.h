// Placeholder until the photo pipeline lands.
int portal_vips_placeholder(void);
