# Latency of create + first use + close against buffer size, per allocator.
# gnuplot -e "dat='results.dat'; png='results.png'; title='...'" bench/plot.gp
set terminal pngcairo size 1000,640 noenhanced
set output png
set title title
set logscale xy
set xlabel "buffer size (bytes)"
set ylabel "median latency, µs (bars: p10-p90)"
set key top left
set grid
names = "smaf system udmabuf baseline"
plot for [i=0:3] dat index i using 1:2:3:4 with yerrorlines title word(names, i + 1)
