#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in crct10dif_common crc-t10dif crc64 crc64_rocksoft_generic crc64-rocksoft t10-pi scsi_common scsi_mod sd_mod libata libahci ahci nvme-core nvme; do insmod /lib/mods/$m.ko 2>/dev/null; done
sleep 3
cap() { name=$1; shift; "$@" > /out/$name 2>/out/$name.stderr; echo "$?" > /out/$name.rc; }
for d in sda sdb sdc; do cap smartctl-j-a-$d.json smartctl -j -a /dev/$d; done
cap smartctl-a-sda.txt smartctl -a /dev/sda
cap smartctl-a-sdb.txt smartctl -a /dev/sdb
cap smartctl-j-a-d-scsi-sdd.json smartctl -j -a -d scsi /dev/sdd
cap smartctl-j-a-sdd.json smartctl -j -a /dev/sdd
cap smartctl-j-a-nvme0.json smartctl -j -a /dev/nvme0
cap smartctl-j-a-nvme1.json smartctl -j -a /dev/nvme1
cap lspci-vmmnnkD.txt lspci -vmm -nn -k -D
cap lspci-vvnnD.txt lspci -vv -nn -D
cap lscpu-all-online.txt lscpu
cap lscpu-all-online.json lscpu -J
echo 0 > /sys/devices/system/cpu/cpu2/online; echo 0 > /sys/devices/system/cpu/cpu3/online
cap lscpu-offline.txt lscpu
cap lscpu-offline.json lscpu -J
cap meminfo.txt cat /proc/meminfo
cap dmidecode.txt dmidecode
for f in /out/*; do echo "=====BEGIN ${f#/out/}"; base64 $f; echo "=====END"; done
echo "=====DONE"
sync; poweroff -f
