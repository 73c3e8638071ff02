#include "vips_shim.h"
int portal_vips_placeholder(void) { return 0; }
