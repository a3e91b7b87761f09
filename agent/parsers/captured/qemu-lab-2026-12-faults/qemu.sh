#!/bin/bash
# The QEMU guest of the issue-14 capture (see ov/init for what it runs).
exec qemu-system-x86_64 -machine q35 -accel tcg -cpu qemu64,vendor=GenuineIntel,family=6,model=85 -m 1024 -smp 2 \
  -kernel vmlinuz -initrd initrd.img -append "console=ttyS0 panic=-1 quiet loglevel=6" -no-reboot \
  -display none -serial file:serial.log -monitor unix:/tmp/qcap/mon.sock,server,nowait \
  -smbios type=1,manufacturer=Supermicro,product=SYS-2029U-TN24R4T,serial=LABQEMU14 \
  -smbios type=17,loc_pfx=DIMM_A,bank=P0_Node0_Channel0,manufacturer=Samsung,serial=S14DIMM0001,part=M393A2K40DB3-CWE,speed=3200 \
  -device pcie-root-port,id=rp1,chassis=1,slot=1,x-speed=16,x-width=16 \
  -device e1000e,bus=rp1,netdev=n0,mac=52:54:00:14:00:01 -netdev user,id=n0,restrict=on \
  -device pcie-root-port,id=rp2,chassis=2,slot=2,x-speed=8,x-width=4 \
  -drive if=none,id=d1,file=nvme1.img,format=raw -device nvme,serial=CAPNVME0001,bus=rp2,drive=d1 \
  -device pcie-root-port,id=rp3,chassis=3,slot=3,x-speed=16,x-width=16 \
  -device x3130-upstream,id=up1,bus=rp3 -device xio3130-downstream,id=dn1,bus=up1,chassis=5,slot=1 \
  -drive if=none,id=d2,file=nvme2.img,format=raw -device nvme,serial=CAPNVME0002,bus=dn1,drive=d2
