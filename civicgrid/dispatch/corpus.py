"""The development set of smart dispatch (派单语料): residents' reports per civicgrid category.

Written for this project (no public 政务留言 data is used): for every leaf category of
cases.seed a bank of the ways people describe the problem (the words a resident, a grid worker
or a 12345 operator actually use, not the category's name), and the frames they write in —
angry, polite, an elderly caller, the hotline's transcript "市民来电反映…", a grid worker's terse
patrol note, a long message-board post with a title and several paragraphs. `reports(n, seed)`
composes them with Shanghai place names, house numbers, times and earlier attempts, so one
category's reports differ in length, wording and register, and neighbouring categories (楼道堆物
and 乱堆物堆料, 施工扰民 and 噪音扰民, 店外经营 and 跨门营业) share vocabulary as they do in life.

Composition is still composition: every sentence comes from a bank above. So beside it lives a
set of whole texts written by hand (devdata/reports_zh.csv, ≥ 10 per category: one-liners, a
grid worker's or a 12345 operator's note, message-board posts with a title and paragraphs of
history, with typos, asides and a second problem in some). `handwritten()` reads them;
`reports()` mixes the training part of them in, `held_out()` tests on the other part
(`handwritten_split`), and the demo's descriptions are drawn from all of them.

The same texts feed the tests, the benchmark and the demo's cases (demo/cases.py draws its
descriptions from `description_for`). Deterministic for a seed.
"""

import csv
import functools
import random
import re
from dataclasses import dataclass
from pathlib import Path

HANDWRITTEN_CSV = Path(__file__).resolve().parent / "devdata" / "reports_zh.csv"

# (family, code) → phrases describing the problem, as people put it.
PROBLEMS: dict[tuple[str, str], list[str]] = {
    ("component", "0101"): [
        "自来水井盖缺了一块，人走过去一脚就踩空",
        "上水井盖翘起来了，汽车开过去哐当哐当响",
        "人行道上的自来水阀门井盖破损，下面黑洞洞的",
        "供水井盖不知道被谁搬走了，只剩一个洞，用一个纸箱盖着",
        "水表井的盖子碎成几块，小孩放学都从这里走",
        "自来水公司的井盖下沉，比路面低了好几公分，电瓶车经过颠得厉害",
    ],
    ("component", "0102"): [
        "污水井盖松动，一踩就晃，晚上看不清很危险",
        "窨井盖破了，污水往外冒，臭味熏天",
        "排污井盖缺失，下面是化粪池的管道，味道很重",
        "小区门口马路上的污水井盖被压裂了，有一条大缝",
        "污水窨井盖错位，露出一半的井口",
        "下水道井盖坏了好久，周围都是黑水",
    ],
    ("component", "0103"): [
        "雨水井盖的铁篦子断了两根，自行车轮子卡进去摔了一跤",
        "雨水口的篦子被人撬走了，路边一个方洞",
        "雨水收水井盖凹陷，下雨的时候水漏不下去",
        "马路边雨水箅子缺失，只放了一个雪糕筒",
        "雨水井的格栅盖板松脱，车子压过去弹起来",
        "路边排水沟的铸铁盖板碎掉了",
    ],
    ("component", "0106"): [
        "消防栓被撞歪了，还在往外渗水",
        "路边的消火栓被汽车挡住了，真着火了根本接不上水带",
        "室外消防栓的盖子没了，里面的接口生锈",
        "消防栓漏水，地上一直湿漉漉的，冬天要结冰",
        "有人把消防栓当成拴狗的柱子，还在上面挂东西",
        "消防栓周围被堆满了建筑材料，完全看不见",
    ],
    ("component", "0110"): [
        "路灯不亮已经一个多礼拜了，晚上黑灯瞎火",
        "路灯一闪一闪的，一会儿亮一会儿灭",
        "好几盏路灯白天都开着，晚上反而不亮，浪费电",
        "路灯杆被车撞弯了，灯罩掉在地上",
        "弄堂口那盏灯坏了，老人晚上出门看不清台阶",
        "路灯线裸露在外面，下雨天怕漏电",
        "这一段路路灯全部熄灭，夜里走路很怕",
    ],
    ("component", "0201"): [
        "交通标志牌被风吹歪了，朝着马路中间",
        "限速牌被树枝挡住，开车根本看不到",
        "路口的指示牌掉下来一半，挂在杆子上晃",
        "禁止停车的标牌倒在绿化带里",
        "道路指路牌上的路名写错了，外地人经常走错",
        "交通标志杆生锈断裂，随时可能倒",
    ],
    ("component", "0206"): [
        "马路中间的隔离护栏被撞倒了好几节",
        "人行道护栏断了，有人从缺口横穿马路",
        "河边的栏杆松动，小孩趴在上面很危险",
        "道路护栏倒在非机动车道上，电瓶车要绕行",
        "桥上的防护栏杆锈穿了一个洞",
        "铁栏杆被人锯掉了一段，当作近路走",
    ],
    ("component", "0212"): [
        "公交车站的候车亭玻璃碎了一地",
        "公交站的顶棚漏水，下雨天等车全身淋湿",
        "车站站牌上的线路信息太旧了，好几条线早就改了",
        "候车亭的座椅坏了，老人等车没地方坐",
        "公交站台的灯箱广告不亮，还掉下来一块铁皮",
        "公交站亭被车撞了，整个歪掉",
    ],
    ("component", "0301"): [
        "公共厕所里面臭得进不去，没人打扫",
        "公厕的冲水坏了好几天，便池都堵了",
        "公共厕所晚上不开门，早上七点才开，上夜班的人没办法",
        "公厕里的洗手池没有水，也没有纸",
        "公共卫生间的门锁坏了，女厕门关不上",
        "公厕的灯不亮，残疾人厕位堆满了保洁工具",
    ],
    ("component", "0304"): [
        "路边的垃圾箱满了没人倒，垃圾溢出来",
        "果壳箱被人砸坏了，盖子掉在地上",
        "垃圾桶烂了个底，垃圾直接漏在人行道上",
        "废物箱被挪到了盲道上，挡住了路",
        "马路边的垃圾筒好几天没人清，苍蝇乱飞",
        "街边分类垃圾箱的投放口卡住了，扔不进去",
    ],
    ("component", "0401"): [
        "挂牌的古树树干上被人钉了钉子挂衣服",
        "古银杏树的树枝枯死了一大片，怕砸下来",
        "古树周围被浇了水泥，根都露出来了",
        "那棵一百多年的香樟树上有白蚁，树皮剥落",
        "有人在古树名木保护范围里面搭棚子",
        "古树的支撑架断了，树身倾斜得厉害",
    ],
    ("component", "0402"): [
        "行道树的树枝太长伸到了二楼窗户里，挡住了采光",
        "人行道上的梧桐树被台风吹倒了，压在电线上",
        "路边的树枯死了，树干一碰就晃",
        "树枝挡住了红绿灯，开车看不到信号",
        "梧桐毛飘得到处都是，能不能修剪一下",
        "行道树的树根把人行道的地砖都顶起来了",
        "断掉的大树枝挂在半空中，下面就是公交站",
    ],
    ("component", "0403"): [
        "小区外面的绿地被人种了菜，还浇粪水",
        "绿化带里的草全部枯黄了，没人养护",
        "有人把绿地踩出一条路，草坪秃了一大片",
        "公共绿地里面杂草长得比人还高，有蛇出没",
        "绿化带被人铲掉做了停车位",
        "街心花园的灌木好几个月没修剪了",
    ],
    ("component", "0501"): [
        "小区门口的宣传栏玻璃破了，里面的海报都淋湿了",
        "社区宣传橱窗的框子掉下来，挂在墙上晃荡",
        "宣传栏里还贴着去年的通知，一直没有更新",
        "阅报栏的顶棚锈穿了，边角很锋利",
        "宣传栏被人涂鸦，写了很多乱七八糟的字",
        "公示栏的灯箱线路坏了，一直在冒火花",
    ],
    ("component", "0699"): [
        "路边的电线杆上拉了一根废弃的线，垂到人头的高度",
        "地上有一个废弃的桩子，绊倒过好几个人",
        "道路边的配电箱门开着，里面的线都露在外面",
        "人行道上的铁桩子歪了，晚上看不清",
        "地面上的消防通道标线模糊了",
        "健身器材坏了，单杠的焊点开裂，小孩还在上面玩",
    ],
    ("event", "0101"): [
        "马路上全是泥浆，走路鞋子都脏了，没人扫",
        "路面上油污一大片，电瓶车经过直打滑",
        "人行道上落叶积了厚厚一层，好几天没清扫",
        "菜场门口的路面又脏又臭，烂菜叶到处都是",
        "路上有大片呕吐物和狗屎没人清理",
        "道路保洁不到位，早上七点多了还没人扫",
        "这条路的路面长期污水横流，黑乎乎的",
    ],
    ("event", "0102"): [
        "路边有人扔了一大堆生活垃圾，臭气熏天",
        "垃圾袋堆在人行道上没人收，野猫翻得到处都是",
        "有人半夜把垃圾倒在绿化带里",
        "路口一堆装修垃圾和生活垃圾混在一起，苍蝇乱飞",
        "河边有人乱扔垃圾，塑料袋飘在水面上",
        "早上起来看到门口又有一堆垃圾，已经好几次了",
        "垃圾房外面暴露堆放垃圾，垃圾房门却锁着",
    ],
    ("event", "0103"): [
        "路边堆了几十袋装修垃圾，已经快一个月了",
        "有一堆建筑渣土堆在空地上，刮风全是灰",
        "拆下来的碎砖头、水泥块堆在弄堂口没人清运",
        "空地上积存的垃圾越堆越高，都有异味了",
        "渣土堆占了半条路，车子开不过去",
        "不知道谁倒的渣土，堆在河道边上",
    ],
    ("event", "0201"): [
        "楼道里、电梯里贴满了开锁通下水道的小广告",
        "电线杆上贴满了办证的小广告，撕了又贴",
        "墙上被人喷涂了手机号码，办证贷款的",
        "小区门口的墙上到处是牛皮癣广告",
        "有人在路边的变电箱上刷小广告",
        "家门口的门框上被贴了好几张疏通管道的广告",
        "公交站台的柱子上全是小广告，清理了没两天又有",
    ],
    ("event", "0204"): [
        "地铁站出口有人拦着路人发传单",
        "有人往停在路边的车窗上插卡片",
        "商场门口有人散发健身房的宣传单，扔得满地都是",
        "有人在小区门口发培训班的传单，塞到每个人手里",
        "路口有人举着牌子拉人办卡，发小卡片",
        "有人骑电瓶车沿路往门缝里塞广告",
    ],
    ("event", "0301"): [
        "工地晚上十一点了还在打桩，吵得睡不着",
        "对面工地凌晨还在浇混凝土，机器轰鸣",
        "工地半夜运渣土的车来来回回，轰隆隆的",
        "隔壁楼在装修，早上七点不到就开始电钻",
        "施工队周末一大早就开始敲敲打打",
        "夜里工地的灯照进卧室，还有切割钢筋的声音",
        "地铁施工夜间作业噪声很大，有没有夜间施工许可",
    ],
    ("event", "0302"): [
        "工地没有围挡，尘土飞扬，窗户都不敢开",
        "工地出口的车轮子不冲洗，带出来的泥一路都是",
        "拆房子的时候没有洒水降尘，灰尘漫天",
        "工地里裸露的土方没有盖防尘网",
        "工地扬尘严重，阳台上晒的衣服全是灰",
        "搅拌站粉尘大，附近居民咳嗽不断",
    ],
    ("event", "0304"): [
        "渣土车经过洒了一路泥土和石子",
        "运沙子的车没盖篷布，沙子掉得满路都是",
        "道路上有一长条水泥浆，应该是搅拌车漏的",
        "货车上的垃圾一路撒，路面脏得不行",
        "有车子漏油，路上一条油迹好几百米",
        "路面遗撒的碎石很多，电瓶车容易摔跤",
    ],
    ("event", "0401"): [
        "路面突然塌了一个大坑，直径一米多",
        "马路中间下陷了一块，旁边的路面开裂",
        "人行道塌陷，地砖往下陷，下面好像是空的",
        "下过暴雨之后路面出现一个深坑，已经有车掉进去了",
        "路边的地面往下沉，围墙都裂了",
        "路面起鼓开裂，踩上去空空的声音",
    ],
    ("event", "0403"): [
        "闻到很重的煤气味，好像是燃气管道漏了",
        "施工挖断了燃气管，一直在嘶嘶地漏气",
        "楼下天然气管道有泄漏，味道很冲",
        "燃气表附近的管子锈了，肥皂水一抹在冒泡",
        "路边燃气管道被挖破了，现场已经拉了警戒线但是没人管",
        "整个楼道都是煤气味，怕会爆炸",
    ],
    ("event", "0501"): [
        "有人开着三轮车在路口卖水果，赶也赶不走",
        "地铁口有流动摊贩卖煎饼、烤肠，占了半个出口",
        "晚上一群游商在路边摆地摊卖衣服",
        "有人推着车卖臭豆腐，满街的油烟",
        "桥上有人无证摆摊卖手机壳、小饰品",
        "路边有外地人开着面包车卖海鲜，没有营业执照",
    ],
    ("event", "0502"): [
        "有个流浪汉睡在天桥下面好几天了，天冷怕出事",
        "地铁站口有人跪着乞讨，还带着小孩",
        "一个老人在公交站过夜，看上去神志不清",
        "有人在路边拉着路人要钱，不给就骂人",
        "公园长椅上有流浪人员住着，周围很脏",
        "桥洞里住了一个流浪者，能不能联系救助站",
    ],
    ("event", "0503"): [
        "路边有收废品的把纸板、旧家电堆了一人行道",
        "回收废品的三轮车停在路口，占道收购",
        "收旧货的在弄堂口摆了秤，废铁堆得到处都是",
        "废品收购点把塑料瓶堆到马路上",
        "有人在人行道上拆旧空调收铜，满地零件",
        "收废品的每天早上在路边分拣，污水流一地",
    ],
    ("event", "0504"): [
        "饭店把桌子椅子摆到人行道上来了",
        "水果店把货架摆到了店门外，占了半条人行道",
        "修车铺在门口路边修车，油污满地",
        "小饭馆在店门口洗碗切菜，污水直接倒进雨水口",
        "烧烤店晚上在店外摆桌，一直闹到半夜",
        "五金店的货全堆在门外人行道上卖",
    ],
    ("event", "0505"): [
        "人行道上停满了汽车，人只能走到马路上",
        "有辆车停在小区出入口，堵住了消防通道",
        "路口转角处乱停车，公交车转不过弯",
        "车子停在盲道上，还压坏了地砖",
        "双黄线旁边停了一排车，早晚高峰堵死",
        "有辆私家车停在我家车库门口，打电话也不接",
        "学校门口接孩子的车乱停，双排停车",
    ],
    ("event", "0506"): [
        "共享单车堆满了地铁口，人都走不过去",
        "电瓶车停在盲道上，一排一排的",
        "共享单车倒了一地，没人整理",
        "外卖电瓶车把人行道停满了",
        "自行车乱停在公交站台，挡住乘客上下车",
        "小区门口电动车横七竖八，轮椅推不过去",
    ],
    ("event", "0507"): [
        "有人把建材、木料堆在路边空地上",
        "路边堆了好多破家具、旧床垫，一直没人拉走",
        "人行道上堆满了黄沙水泥，好像是哪家装修",
        "弄堂里有人堆放了很多杂物，纸箱泡沫箱",
        "马路边的空地被人堆成了仓库，放着各种杂物",
        "有人在公共场地上乱堆乱放钢管和脚手架",
        "桥下堆了好多旧轮胎和废铁",
    ],
    ("event", "0508"): [
        "商店门口的音箱放音乐放得震天响",
        "超市门口喇叭一直循环喊“全场清仓”",
        "KTV晚上开着门唱歌，声音传到对面楼里",
        "店铺门口的大喇叭从早喊到晚，吵死了",
        "饭店的排风机和空调外机噪音很大，晚上嗡嗡响",
        "健身房音乐声音太大，楼上住户受不了",
    ],
    ("event", "0509"): [
        "地铁站口有黑车司机拉客，喊“走不走”",
        "医院门口一排黑车在拉客，价钱乱要",
        "有人开着私家车在公交站揽客，非法营运",
        "火车站出口有摩的拉客，一直跟着人",
        "黑摩的在路口趴活，电瓶车载人乱窜",
        "晚上有几辆车专门等着拉客，不打表",
    ],
    ("event", "0510"): [
        "晚上路边有人摆摊烧烤，烟雾呛得窗户都不能开",
        "夜宵摊在人行道上露天烧烤，油烟很大",
        "有人在小区门口支起烤串架，炭火烧到半夜",
        "烧烤摊的烟直接飘进楼里，家里全是烟味",
        "河边有人露天烤肉，满地炭灰和竹签",
        "夏天每天晚上都有露天烧烤，油烟加上喝酒吵闹",
    ],
    ("event", "0599"): [
        "有人在人行道上晾晒衣服被子，拉了好几根绳子",
        "路边有人用喇叭卖东西，还拦着路",
        "有人在马路边洗车，水流到路上",
        "有人占用公共通道摆桌子打麻将",
        "天桥上有人摆摊算命",
        "路边有人宰杀活禽，血水流一地",
    ],
    ("event", "0699"): [
        "路上有一只死猫，没人处理",
        "河道里有死鱼浮上来，水发黑",
        "有只流浪狗在小区附近咬了人",
        "路边有个水管爆了，水一直在流",
        "绿化带里发现一个马蜂窝，很大",
        "树上挂着一个风筝线，缠在电线上",
    ],
    ("community", "0101"): [
        "楼道里堆满了邻居的纸板箱和旧家具，走路都要侧身",
        "楼梯间被人放了电瓶车和自行车，消防通道都堵了",
        "三楼邻居把鞋柜和杂物全放在楼道里",
        "楼道里堆了好多捡来的废品，味道很难闻",
        "安全出口被杂物堵死，楼道里还有旧沙发",
        "楼道公共部位被人放了冰箱和柜子",
        "有人在楼梯转角堆放了煤气罐和杂物",
    ],
    ("community", "0102"): [
        "楼上有人往下扔垃圾袋，差点砸到人",
        "高楼上扔下来一个酒瓶，碎在小孩旁边",
        "有人从窗户往外倒水、扔烟头，楼下晾的衣服都烫了洞",
        "楼上经常扔下来果皮和剩饭",
        "不知道哪一层扔下来一个花盆，砸坏了车子",
        "楼上住户往下扔东西，已经好几次了，查不到是谁",
    ],
    ("community", "0103"): [
        "有人从楼上窗户拉电线下来给电瓶车充电",
        "楼道里私拉电线给电动车充电，插座挂在墙上",
        "电瓶车推进楼道充电，晚上一直充",
        "一楼住户把插线板从窗户伸出来，地上一排电瓶车在充电",
        "有人把电动车电池拿回家里充，整晚不拔",
        "飞线从四楼一直拉到楼下车棚，下雨天很危险",
    ],
    ("community", "0104"): [
        "小区里有辆车停了两年没动过，轮胎都瘪了，上面全是灰",
        "路边有辆没有牌照的破车，常年停着",
        "一辆报废的面包车停在小区里，车窗碎了，里面有老鼠",
        "小区里有好几辆僵尸车占着车位",
        "一辆车停在那里一年多了，车上堆满树叶",
        "废弃的电动三轮车扔在绿化里好几个月",
    ],
    ("community", "0105"): [
        "下了一场雨，小区里积水到小腿肚",
        "弄堂里积水排不出去，一楼人家水都进屋了",
        "路口积水很深，电瓶车开过去熄火了",
        "地下车库进水了，车子要被淹",
        "雨水倒灌进楼道，一楼住户家里进水",
        "每次下雨这个路段都要积水，下水道堵了",
    ],
    ("community", "0106"): [
        "楼下一套两室户住了十几个人，上下铺",
        "隔壁房子被二房东隔成好几间出租，进进出出的人很多",
        "有人把客厅隔成小间出租，群租严重",
        "对门那套房子住了很多外卖小哥，晚上吵到很晚",
        "楼上的房子改成了群租房，卫生间漏水到我家",
        "一套房子里隔了六七间，每间都住人",
    ],
    ("community", "0107"): [
        "楼道里的灭火器过期好几年了",
        "小区的消防通道被车子堵住了，消防车进不来",
        "楼里的消防喷淋和烟感都是坏的",
        "有人在楼道里烧纸，烟很大，怕引起火灾",
        "地下室堆满易燃的纸板，还有人在里面抽烟",
        "安全出口的指示灯不亮，防火门被锁住了",
        "饭店的厨房用液化气瓶，就放在楼梯口",
    ],
    ("community", "0108"): [
        "有人遛狗不拴绳，大狗冲着小孩叫",
        "小区里到处是狗屎，主人不清理",
        "邻居家的狗一天到晚叫，晚上也叫",
        "有人在楼道里养鸽子，羽毛粪便到处是",
        "小区里有人喂流浪猫，猫越来越多",
        "楼上养了好几只狗，臭味飘到我们家",
    ],
    ("community", "0109"): [
        "楼上每天晚上跳绳、拖椅子，吵得睡不着",
        "小区广场舞音响太响，晚上九点多还在跳",
        "邻居家半夜打麻将，声音很吵",
        "楼下住户在家里唱卡拉OK到半夜",
        "小区里有人凌晨在楼下大声喝酒聊天",
        "隔壁每天早上五点开始放收音机",
    ],
    ("community", "0110"): [
        "垃圾分类不到位，湿垃圾里全是塑料袋",
        "小区的垃圾箱房定时投放时间外垃圾扔在门口",
        "干垃圾和湿垃圾混在一起倒，没人管",
        "垃圾箱房没有志愿者值守，分类桶都混装",
        "小区的湿垃圾桶好几天没清运，臭得不行",
        "可回收物的桶被人扔满了厨余垃圾",
    ],
    ("community", "0111"): [
        "一楼住户在花园里搭了个玻璃房",
        "顶楼有人在平台上加盖了一间房",
        "有人把阳台往外扩建，还在外墙上开了门",
        "邻居在自家院子里砌墙，把公共通道都占了",
        "楼顶有人违章搭了个铁皮屋，还在施工",
        "底楼人家在绿地上搭了个棚子养鸡",
    ],
    ("community", "0112"): [
        "小区门口每天早上有人摆摊卖菜，一直摆到中午",
        "居民区里有人摆地摊卖旧货",
        "弄堂口有人支起桌子卖早点，油烟很大",
        "小区里有人摆摊修鞋配钥匙，占了通道",
        "菜场外面有人无序设摊，地上全是菜叶",
        "楼下空地上每天傍晚都有人摆摊",
    ],
    ("community", "0113"): [
        "沿街商铺跨门营业，把货摆到门外好几米",
        "理发店在店门外搭了个雨棚摆椅子",
        "便利店把冰柜放在门外面，占了人行道",
        "小吃店把灶台搬到门口，在门外做生意",
        "服装店把衣架挂到店门外面的人行道上",
        "店家在门前划了一块地方放自己的东西，不让别人停",
    ],
    ("community", "0114"): [
        "小区车位太少，晚上回来根本没地方停车",
        "下班回家绕了好几圈都找不到停车位",
        "小区停车位被外来车辆占了，业主没地方停",
        "能不能在附近开放一些错峰停车的车位",
        "老小区里没有停车位，车子只能停在路边被罚款",
        "医院旁边停车太难了，周边道路都停满",
    ],
}

ROADS = (
    "秀沿路 康桥路 沪南公路 秀浦路 康花路 康士路 川周公路 环桥路 听悦路 叠桥路 杨高南路 "
    "周邓公路 御桥路 康新公路 申江南路 康桥东路 拱极路 康弘路 百曲路 南京西路 长寿路 "
    "天目西路 武宁路 中山北路 曲阳路 四平路 凉城路 延吉中路 长阳路 控江路 黄兴路 南丹路 "
    "宜山路 漕溪北路 虹梅路 古美路 莘庄路 沪闵路 天钥桥路 龙华西路"
).split()
ESTATES = (
    "康桥半岛 秀沿新苑 康花新村 听悦苑 环桥家园 百曲小区 御桥公寓 康桥老街 叠桥花苑 "
    "康城 曲阳新村 凉城新村 控江二村 田林十二村 古美西路小区 长寿新村 宜山小区 "
    "天目公寓 中山花园 康沈小区"
).split()
LANDMARKS = (
    "地铁站2号口 菜场门口 小学门口 公交站 社区卫生服务中心 幼儿园旁边 超市门口 "
    "垃圾箱房边上 健身步道 桥下 河边 十字路口 小区东门 小区南门 停车场出口 沿街商铺前"
).split()

# The frames people write in: opener, the problem, its impact and the ask.
OPENERS = {
    "angry": [
        "实在忍无可忍了！",
        "说了多少次了都没人管！",
        "请问你们到底管不管？",
        "气死人了，",
        "我要投诉！",
    ],
    "polite": [
        "您好，",
        "你好，麻烦你们一下，",
        "领导好，想反映一个问题：",
        "打扰了，",
        "尊敬的街道领导：",
    ],
    "elderly": [
        "我是这里的老住户，今年七十多岁了，",
        "我老太婆腿脚不好，",
        "阿拉住了几十年了，",
        "我是一个退休老人，",
    ],
    "hotline": [
        "市民来电反映：",
        "来电人反映：",
        "市民通过12345热线反映，",
        "市民来电称：",
        "工单内容：市民反映",
    ],
    "patrol": ["巡查发现：", "网格员巡查发现，", "日常巡查中发现", ""],
    "plain": [""],
}
SINCE = [
    "已经好几天了",
    "持续一个多月了",
    "从上个礼拜开始就这样",
    "这种情况已经%d天了",
    "每天晚上都是这样",
    "今天早上%d点多看到的",
    "前天开始的",
    "好几年了一直没解决",
]
IMPACTS = [
    "影响居民正常生活",
    "老人小孩经过很危险",
    "严重影响周边环境",
    "我们楼里的人都很有意见",
    "存在很大的安全隐患",
    "晚上根本睡不好觉",
    "路过的人都在骂",
    "影响市容市貌",
]
TRIED = [
    "之前打过物业的电话，物业说不归他们管。",
    "居委会也来看过，说要上报，到现在没有下文。",
    "上个月已经打过一次12345了，处理了两天又恢复原样。",
    "我自己去说过，对方根本不理睬。",
    "拍了照片，可以提供给你们。",
    "问过保安，保安说没办法。",
]
HISTORY = [
    "{m}月{d}日我第一次反映这个问题，当时说一周内处理，结果到现在快{n}个月了还是老样子。",
    "从{m}月份开始就有这个问题，前后打了{n}次电话，每次都说已经转给相关部门了。",
    "{m}月{d}日晚上我专门拍了视频，物业和居委都看过，说会协调，一直没有结果。",
    "这个情况最早是{m}月{d}日发现的，邻居们在群里讨论过{n}次，大家都很无奈。",
]
CLOSINGS = [
    "恳请领导重视，给老百姓一个说法。",
    "希望这次能彻底解决，不要只是应付一下。",
    "我们作为纳税人，只希望有一个安全整洁的居住环境。",
    "麻烦处理后给我回个电话。",
]
ASKS = {
    "angry": ["希望尽快处理，不要再推来推去！", "再不处理我就找媒体了！", "请相关部门立即处理！"],
    "polite": [
        "麻烦相关部门来看一下，谢谢！",
        "希望能尽快处理，辛苦了。",
        "请帮忙协调解决，谢谢。",
    ],
    "elderly": ["请你们帮帮忙，谢谢侬。", "希望政府管一管。", "麻烦派人来看看。"],
    "hotline": [
        "市民要求相关部门尽快处理。",
        "来电人希望尽快整治，请核实处理。",
        "诉求：要求处理并回复。",
    ],
    "patrol": ["已拍照，请派单处置。", "需相关部门处置。", "已告知当事人，请跟进。"],
    "plain": ["请处理。", "希望尽快解决。", ""],
}
TITLE_PATTERNS = [
    "关于{road}{short}的问题",
    "{estate}{short}",
    "反映{road}一带{short}",
    "{short}，请尽快处理",
    "投诉{estate}{short}",
    "{road}{short}无人管",
]
REGISTERS = [
    ("angry", 2),
    ("polite", 3),
    ("elderly", 1),
    ("hotline", 3),
    ("patrol", 2),
    ("plain", 1),
]


@dataclass(frozen=True)
class Report:
    """One labelled report: its title (may be empty), its text and its category key; `story`
    ties a hand-written long post to the shorter report it retells (the same door, the same
    details), so a split keeps them on one side."""

    title: str
    text: str
    family: str
    code: str
    story: str = ""

    @property
    def label(self) -> str:
        return f"{self.family}:{self.code}"


def _place(rng: random.Random) -> str:
    road = rng.choice(ROADS)
    kind = rng.random()
    if kind < 0.3:
        return f"{road}{rng.randint(1, 1800)}弄{rng.randint(1, 120)}号"
    if kind < 0.55:
        return f"{rng.choice(ESTATES)}{rng.randint(1, 60)}号楼"
    if kind < 0.75:
        return f"{road}{rng.choice(LANDMARKS)}"
    if kind < 0.9:
        other = rng.choice(ROADS)
        return f"{road}{other}路口" if other != road else f"{road}近{rng.randint(2, 900)}号"
    return f"{rng.choice(ESTATES)}{rng.choice(LANDMARKS)}"


def _short(problem: str) -> str:
    """A title's short form of a problem phrase: its first clause, clipped."""
    head = problem.split("，")[0]
    return head[:14]


def compose(
    rng: random.Random, family: str, code: str, *, register: str | None = None, phrases=None
) -> Report:
    """One report of the category (family, code) in a register drawn by weight; `phrases` (a
    subset of the category's) holds wording out for an honest test of unseen texts."""
    phrases = phrases or PROBLEMS[(family, code)]
    if register is None:
        names, weights = zip(*REGISTERS, strict=True)
        register = rng.choices(names, weights=weights)[0]
    place = _place(rng)
    first = rng.choice(phrases)
    length = rng.random()
    parts = [rng.choice(OPENERS[register])]
    if register == "patrol":
        parts.append(f"{place}，{first}。")
        if length > 0.6:
            parts.append(rng.choice(IMPACTS) + "。")
    else:
        lead = rng.choice(["", "在", "我住在", "我家住在", "", "位于"])
        parts.append(f"{lead}{place}，{first}")
        since = rng.choice(SINCE)
        if "%d" in since:
            since = since % rng.randint(2, 20)
        parts.append(f"，{since}，{rng.choice(IMPACTS)}。")
        if length > 0.45:
            second = rng.choice([p for p in phrases if p != first] or phrases)
            parts.append(rng.choice(["另外，", "而且", "还有，", "同时"]) + second + "。")
        if length > 0.7:
            parts.append(rng.choice(TRIED))
        if length > 0.85:
            parts.append(
                "\n\n"
                + rng.choice(
                    [
                        "我们这个小区住了很多老人和小孩，",
                        "附近是学校和菜场，人流量很大，",
                        "这里每天上下班高峰人很多，",
                    ]
                )
                + rng.choice(phrases)
                + "。"
                + rng.choice(TRIED)
            )
            # A long post tells its history, as message-board complaints do.
            month = rng.randint(1, 12)
            parts.append(
                "\n\n"
                + rng.choice(HISTORY).format(m=month, d=rng.randint(1, 28), n=rng.randint(2, 9))
                + "".join(rng.sample(TRIED, 2))
                + rng.choice(IMPACTS)
                + "，"
                + rng.choice(CLOSINGS)
            )
    parts.append(rng.choice(ASKS[register]))
    text = "".join(parts).strip()
    title = ""
    if rng.random() < 0.7:
        title = rng.choice(TITLE_PATTERNS).format(
            road=rng.choice(ROADS), estate=rng.choice(ESTATES), short=_short(first)
        )
    return Report(title=title, text=text, family=family, code=code)


def categories() -> list[tuple[str, str]]:
    return sorted(PROBLEMS)


@functools.cache
def _handwritten() -> tuple[Report, ...]:
    with HANDWRITTEN_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for row in rows:
        family, code = row["category"].split(":")
        out.append(Report(row["title"], row["text"], family, code, story=row.get("story") or ""))
    return tuple(out)


@functools.cache
def _handwritten_by_key() -> dict[tuple[str, str], list[Report]]:
    by_key: dict[tuple[str, str], list[Report]] = {}
    for report in _handwritten():
        by_key.setdefault((report.family, report.code), []).append(report)
    return by_key


def handwritten() -> list[Report]:
    """The reports written by hand (devdata/reports_zh.csv), in the file's order."""
    return list(_handwritten())


def handwritten_split(*, seed: int = 17, test_share: float = 0.3) -> tuple[list, list]:
    """(train, test) of the hand-written reports: per category a seed-fixed `test_share` of its
    stories (at least one) for testing only, so an evaluation never trains on what it tests —
    nor on another telling of the same complaint."""
    rng = random.Random(f"handwritten-{seed}")
    train, test = [], []
    for _key, group in sorted(_handwritten_by_key().items()):
        stories: dict[str, list[Report]] = {}
        for report in group:
            stories.setdefault(report.story or report.text, []).append(report)
        order = list(stories.values())
        rng.shuffle(order)
        wanted, taken = max(1, round(len(group) * test_share)), 0
        for story in order:
            if taken < wanted:
                test += story
                taken += len(story)
            else:
                train += story
    return train, test


def reports(per_category: int = 60, *, seed: int = 17) -> list[Report]:
    """`per_category` reports of every category, in a shuffled, seed-fixed order: the training
    part of the hand-written reports (`handwritten_split(seed=17)`, at most a third of each
    category's count) and composed ones for the rest."""
    rng = random.Random(seed)
    written: dict[tuple[str, str], list[Report]] = {}
    for report in handwritten_split()[0]:
        written.setdefault((report.family, report.code), []).append(report)
    out = []
    for family, code in categories():
        own = written.get((family, code), [])[: per_category // 3]
        out += own
        out += [compose(rng, family, code) for _ in range(per_category - len(own))]
    rng.shuffle(out)
    return out


def held_out(per_category: int = 40, *, seed: int = 17) -> tuple[list[Report], list[Report]]:
    """(train, test) where the test reports use problem phrases the training never saw (the
    odd-numbered ones) and add the test part of the hand-written reports, texts whose wording
    no bank holds; the training adds the other hand-written part (`handwritten_split`)."""
    rng = random.Random(seed)
    train, test = [], []
    for family, code in categories():
        phrases = PROBLEMS[(family, code)]
        seen, unseen = phrases[0::2], phrases[1::2]
        train += [compose(rng, family, code, phrases=seen) for _ in range(per_category)]
        test += [compose(rng, family, code, phrases=unseen) for _ in range(per_category // 2)]
    # One split for every caller and seed: a model trained on `reports()` never sees these.
    written_train, written_test = handwritten_split()
    train += written_train
    test += written_test
    rng.shuffle(train)
    return train, test


_NUMBER = re.compile(r"(\d{1,4})(?=(?:弄|号楼|号))")
# Road and estate names of the bank, longest first so 康桥东路 is not read as 康桥路.
_ROAD = re.compile("|".join(sorted(ROADS, key=len, reverse=True)))
_ESTATE = re.compile("|".join(sorted(ESTATES, key=len, reverse=True)))
# 康桥's own roads and estates, the demo street's.
LOCAL_ROADS = ROADS[:19]
LOCAL_ESTATES = (*ESTATES[:10], "康沈小区")


def _vary(rng: random.Random, report: Report) -> Report:
    """A hand-written report moved to another door: its roads, estates and house numbers
    redrawn (one name the same replacement throughout), an address line added to a text that
    names no place, the title sometimes left off — so the demo's repeats of a text differ."""
    roads: dict[str, str] = {}
    estates: dict[str, str] = {}

    def redraw(match: re.Match) -> str:
        n = int(match.group(1))
        return str(rng.randint(1, 30) if n <= 30 else rng.randint(n * 2 // 3, n * 4 // 3))

    def move(text: str) -> str:
        text = _ROAD.sub(lambda m: roads.setdefault(m.group(0), rng.choice(LOCAL_ROADS)), text)
        text = _ESTATE.sub(
            lambda m: estates.setdefault(m.group(0), rng.choice(LOCAL_ESTATES)), text
        )
        return _NUMBER.sub(redraw, text)

    text = move(report.text)
    if not roads and not estates:
        text += rng.choice(["\n地址：", "（地点：", "，位置在"]) + _place(rng)
        text += "）" if "（地点：" in text else ""
    title = move(report.title) if rng.random() < 0.8 else ""
    return Report(title=title, text=text, family=report.family, code=report.code)


def register_of(text: str) -> str:
    """Who wrote a report, as its opening words tell: "patrol" (a grid worker's 巡查发现),
    "hotline" (a 12345 operator's 市民来电反映) or "resident" (a resident in their own words).
    The title, if any, is the first line: the report's own first words may be on the second."""
    lines = text.splitlines()[:2]
    if any("巡查" in line[:12] for line in lines):
        return "patrol"
    if any(line.startswith(tuple(OPENERS["hotline"])) or "来电" in line[:8] for line in lines):
        return "hotline"
    return "resident"


# The registers a resident writes in (compose's REGISTERS but a grid worker's and the hotline's).
RESIDENT_REGISTERS = ("angry", "polite", "elderly", "plain")


def description_for(rng: random.Random, family: str, code: str, *, by: str | None = None) -> str:
    """A report's description for a case of the category (the demo's cases): the title, if any,
    on the first line. Two in three are hand-written (moved to another place: `_vary`), the
    rest composed. `by` ("patrol", "hotline" or "resident"; any when None) keeps to reports
    written that way, so that a resident's report does not open with 巡查发现. A category the
    corpus does not know gets an empty string (the caller keeps its own text)."""
    if (family, code) not in PROBLEMS:
        return ""
    written = _handwritten_by_key().get((family, code))
    if written and by is not None:
        written = [r for r in written if register_of(r.text) == by]
    register = None
    if by is not None:
        registers = RESIDENT_REGISTERS if by == "resident" else (by,)
        register = rng.choice(registers)
    if written and rng.random() < 2 / 3:
        report = _vary(rng, rng.choice(written))
    else:
        report = compose(rng, family, code, register=register)
    text = report.text if not report.title else f"{report.title}\n{report.text}"
    return text[:1900]
