// libqrencode's one public header (Debian: libqrencode-dev).
#include <qrencode.h>
