#!/bin/sh
# make deps-check: the include edges of STYLE.md section 1.
#   registry, admin-tools -> auth -> storage -> common; library headers only
#   in their boundary files.
fail=0
bad() { echo "deps-check: $*"; fail=1; }
for f in $(ls common/*.[ch] storage/*.[ch] auth/*.[ch] registry/*.[ch] admin-tools/*.[ch] 2>/dev/null); do
	d=${f%%/*}
	inc=$(grep -hoE '#include "[a-z-]+/' "$f" | sed -E 's/#include "([a-z-]+)\//\1/' | sort -u)
	for i in $inc; do
		case "$d:$i" in
		common:common | storage:common | storage:storage) ;;
		auth:common | auth:storage | auth:auth) ;;
		registry:common | registry:storage | registry:auth | registry:registry) ;;
		admin-tools:common | admin-tools:storage | admin-tools:auth | admin-tools:admin-tools) ;;
		*) bad "$f includes $i/ (not allowed from $d/)" ;;
		esac
	done
done
grep -ln '#include <lmdb.h>' */*.[ch] 2>/dev/null | grep -v '^storage/' | while read -r f; do bad "$f includes lmdb.h"; echo x; done | grep -q . && fail=1
for f in $(grep -ln '#include <fcgiapp.h>' */*.[ch] 2>/dev/null); do
	[ "$f" = registry/resp.c ] || bad "$f includes fcgiapp.h"
done
for f in $(grep -ln '#include <openssl/' */*.[ch] 2>/dev/null); do
	case $f in common/cryptow.c) ;; *) bad "$f includes OpenSSL" ;; esac
done
for f in $(grep -ln '#include <curl/' */*.[ch] 2>/dev/null); do
	case $f in common/fetch.c) ;; *) bad "$f includes libcurl" ;; esac
done
for f in $(grep -ln '#include <archive' */*.[ch] 2>/dev/null); do
	case $f in common/archw*.c) ;; *) bad "$f includes libarchive" ;; esac
done
[ $fail -eq 0 ] && echo "deps-check: ok"
exit $fail
