#!/bin/sh
# /init of the capture guest: disk self-tests (ATA through smartctl, NVMe through nvme-cli) and
# the in-band BMC (ipmitool over /dev/ipmi0). Every command line is here; outputs go to /out and
# are printed base64-encoded on the serial console for the host to unpack.
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in crct10dif_common crc-t10dif crc64 crc64_rocksoft_generic crc64-rocksoft t10-pi scsi_common scsi_mod sd_mod libata libahci ahci nvme-core nvme ipmi_msghandler ipmi_devintf ipmi_si; do insmod /lib/mods/$m.ko 2>/dev/null; done
sleep 3
export TZ=UTC
cap() { name=$1; shift; "$@" > /out/$name 2>/out/$name.stderr; echo "$name $?" >> /out/exit-status.txt; }
# ---- ATA (QEMU AHCI ide-hd) ----
cap smartctl-j-l-selftest-sda-before.json smartctl -j -l selftest /dev/sda
cap smartctl-j-c-sda-before.json smartctl -j -c /dev/sda
cap smartctl-j-t-short-sda.json smartctl -j -t short /dev/sda
cap smartctl-j-c-sda-after.json smartctl -j -c /dev/sda
cap smartctl-j-l-selftest-sda-after.json smartctl -j -l selftest /dev/sda
cap smartctl-t-long-sda.txt smartctl -t long /dev/sda
cap smartctl-j-l-selftest-sda-after-long.json smartctl -j -l selftest /dev/sda
cap smartctl-l-selftest-sda.txt smartctl -l selftest /dev/sda
# ---- NVMe (QEMU nvme) ----
cap nvme-id-ctrl-nvme0.json nvme id-ctrl /dev/nvme0 -o json
cap nvme-device-self-test-s1-nvme0.txt nvme device-self-test /dev/nvme0 -n 0xffffffff -s 1
cap nvme-self-test-log-nvme0.json nvme self-test-log /dev/nvme0 -o json
cap smartctl-j-t-short-nvme0.json smartctl -j -t short /dev/nvme0
# ---- BMC (QEMU ipmi-bmc-sim behind isa-ipmi-kcs) ----
cap ipmitool-mc-info.txt ipmitool mc info
cap ipmitool-sel-info-empty.txt ipmitool sel info
cap ipmitool-sel-elist-empty.txt ipmitool sel elist
cap ipmitool-sel-list-empty.txt ipmitool sel list
cap ipmitool-sel-time-get.txt ipmitool sel time get
cap ipmitool-sdr-elist.txt ipmitool sdr elist
cap ipmitool-c-sdr-elist.txt ipmitool -c sdr elist
cap ipmitool-sdr-type-voltage.txt ipmitool sdr type Voltage
cap ipmitool-sel-add.txt ipmitool sel add /sel-events.txt
cap ipmitool-raw-set-sensor-reading.txt ipmitool raw 0x04 0x30 0x08 0x50 0x00 0x02 0x00 0x00 0x00 0x01 0xff 0xff
cap ipmitool-sel-info.txt ipmitool sel info
cap ipmitool-sel-elist.txt ipmitool sel elist
cap ipmitool-sel-list.txt ipmitool sel list
cap ipmitool-c-sel-elist.txt ipmitool -c sel elist
cap ipmitool-c-sel-list.txt ipmitool -c sel list
cap ipmitool-sel-time-get-2.txt ipmitool sel time get
cap date-utc.txt date -u '+%m/%d/%Y %H:%M:%S'
cap ipmitool-sdr-elist-2.txt ipmitool sdr elist
cap ipmitool-no-device.txt ipmitool -d 5 sel elist
for f in /out/*; do echo "=====BEGIN ${f#/out/}"; base64 $f; echo "=====END"; done
echo "=====DONE"
sync; poweroff -f
