#!/bin/sh
# Capture guest for issue 14 fixtures: PCIe link state in sysfs, ethtool on an
# e1000e, SMBIOS memory devices, and the kernel log of injected machine checks.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mkdir -p /out /run /tmp
modprobe -q e1000e; modprobe -q nvme
sleep 4
cap() { name=$1; shift; "$@" > /out/$name 2>/out/$name.stderr; echo "$?" > /out/$name.rc; }
NIC=$(ls /sys/class/net | grep -v lo | head -1)
ip link set lo up; ip link set $NIC up; ip addr add 10.0.2.15/24 dev $NIC
sleep 4
cap ethtool-e1000e.txt ethtool $NIC
cap ethtool-i-e1000e.txt ethtool -i $NIC
cap ethtool-S-e1000e-before.txt ethtool -S $NIC
ping -c 30 -i 0.2 -s 1400 10.0.2.2 > /out/ping.txt 2>&1
cap ethtool-S-e1000e-after.txt ethtool -S $NIC
cap lspci-vmmnnkD.txt lspci -vmm -nn -k -D
cap lspci-vvnnD.txt lspci -vv -nn -D
cap dmidecode-t17.txt dmidecode -t 17
cap ls-edac.txt ls -R /sys/devices/system/edac
# The PCI part of sysfs, copied as plain files: every device's directory at its real place
# under devices/, and bus/pci/devices/<addr> as a relative symlink to it, as the kernel has it.
for d in /sys/bus/pci/devices/*; do
  a=${d##*/}; real=$(readlink -f $d); rel=${real#/sys/}
  mkdir -p /out/sys/$rel /out/sys/bus/pci/devices
  for f in vendor device class subsystem_vendor subsystem_device revision current_link_speed current_link_width max_link_speed max_link_width; do
    [ -r $d/$f ] && cat $d/$f > /out/sys/$rel/$f 2>/dev/null
  done
  ln -s ../../../$rel /out/sys/bus/pci/devices/$a
done
(cd /out && tar cf pci-sysfs.tar sys && rm -rf sys)
for f in /sys/devices/system/machinecheck/machinecheck*/check_interval; do echo 1 > $f; done
cap dmesg-boot.txt dmesg
echo "=====READY-MCE"
sleep 25
cap dmesg-after-corrected-mce.txt dmesg
for f in /out/*; do echo "=====BEGIN ${f#/out/}"; base64 $f; echo "=====END"; done
echo "=====READY-FATAL"
sleep 60
poweroff -f
